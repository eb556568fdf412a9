"""The local stack behind `make run` and the end-to-end tests: an embedded AWS (moto),
the API under `chalice local`, the form page of every loaded event, and every sent mail printed."""
