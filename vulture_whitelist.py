"""What `vulture --min-confidence 60` takes for unused but a framework calls: `make check` runs
vulture over the code with this file, so that anything else it reports is dead code."""

# Chalice calls the routes and the Lambda handlers its decorators register (app.py).
_.create_registration
_.show_event
_.registrations_preflight
_.event_preflight
_.cancel_registration
_.organiser_list
_.openapi_json
_.admin_events
_.admin_registrations
_.admin_cancel

# pydantic reads every model's `model_config`, its fields and its decorated validators.
_.model_config
_.open  # response_shapes.EventView: a field of the published API
_.organisation
_.role
_.website
_.form_started_at
_._choices_fit_type
_._consistent
_._known_zone
_._origins
_._question_ids

# The standard library reads these: zipfile (deploy/slim.py), socketserver
# (devstack/chalice_local.py), http.server and html.parser (page server, tests).
_.compress_type
_.request_queue_size
_.do_GET
_.do_HEAD
_.log_message
_.handle_starttag
_.handle_endtag
_.handle_data

# moto reads these where devstack and the tests replace its parts.
_.instances_tracked
_.all_items
_.output_map

# pytest and Hypothesis call these: hooks, module markers, fixtures used by name only,
# a state machine's rules and invariants.
_.pytest_collection_modifyitems
_.pytestmark
_.outputs_after_change_sets
_.no_grace
_.register_while_pending
_.join_and_leave
_.due_sweep
_.the_table_is_the_model_and_the_invariants_hold
