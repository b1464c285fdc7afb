"""The estimators: the base class and training steps they share, and one module per model family."""
