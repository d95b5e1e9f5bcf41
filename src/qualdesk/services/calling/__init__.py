"""Working the queue: the claim and its lease, the call card, calls, callbacks, leads."""
