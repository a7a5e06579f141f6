"""The signed-in person's notifications banner."""
