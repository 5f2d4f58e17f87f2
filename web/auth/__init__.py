"""Who is asking: sessions opened by DID sign-in, roles, the operator's token, and rate limits."""
