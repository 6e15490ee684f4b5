"""A signed-in person's own account: password, two-step sign-in, how long they stay signed in,
and (for budget holders) a copy of everything the service holds about them."""
