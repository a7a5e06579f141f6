"""The self-service kiosk's core: who may check themselves in, pre-registered guests, and the hand-off of
everyone else to the front desk (a durable list of people waiting at the front office)."""
