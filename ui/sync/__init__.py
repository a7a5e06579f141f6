"""The desk's link to the district hub (issue 15): the status-bar item and the background sync's start and stop."""
