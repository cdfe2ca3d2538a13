"""Environment views on the batched core."""
