"""What a run is made of: the parameter table, scenario files, scheduled events and the geography."""
