"""The district hub: what desks share through the district server (issue 15)."""
