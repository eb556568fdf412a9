"""The registration page of an event (`cli page`): built with jinja2, which only the command line has."""
