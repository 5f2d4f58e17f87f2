"""The `gongzhi` command line. Its verifiers (verify, verify_ledger, trust, identity, rules) load
none of the server's wiring."""
