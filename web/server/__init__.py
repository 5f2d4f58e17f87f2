"""The server's wiring: the app, services, database, settings, sequencer and the HTTP plumbing every
router shares."""
