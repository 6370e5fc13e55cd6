"""Officials' dashboards: completion by region and cohort, the federal comparison, trainees at risk."""
