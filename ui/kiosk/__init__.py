"""The self-service kiosk (full screen, touch first) and the front desk's side of its hand-off."""
