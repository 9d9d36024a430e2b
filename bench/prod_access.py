"""What the simulated clients of tests and benchmarks present to the servers: an integration's
REST credential (production mode requires one), and rate limits lifted, since all their load
comes from one address (the limits themselves are tested in test_prod_security and
test_channel_security)."""

INTEGRATION_SECRET = "prod-test-integration-secret"
REST_CREDENTIALS = {"REST_CREDENTIALS": f"prodtest:{INTEGRATION_SECRET}"}
REST_AUTH = {"Authorization": f"Bearer {INTEGRATION_SECRET}"}
UNLIMITED = {
    f"{kind}_{knob}": "100000" for kind in ("MESSAGE", "CONNECT", "PUBLIC") for knob in ("RATE_PER_SECOND", "BURST")
}
