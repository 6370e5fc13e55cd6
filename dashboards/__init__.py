"""Officials' dashboards: completion by region and cohort, and trainees at risk."""
