"""The registration page of an event (`cli page`): built with jinja2, which only the command line has.

Its fields (`fields`) and the form filled in again (`filled_form`) need no jinja2: the API's
answers to a page without JavaScript draw the same form with them."""
