"""The registration use cases, one function each: cart, checkout, waiting list, admission."""
