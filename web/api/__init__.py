"""The JSON API (`/api/…`, also `/api/v1/…`), its `/docs`, and the trust file this server
publishes."""
