"""Students at the front desk: the school's roster from its information system (OneRoster), late arrivals,
early dismissals to the right adult only, and reunification after an evacuation or lockdown."""
