"""The demo community (演示) and the `/demo` page. Never part of a real server's trust."""
