"""The administrative-penalty case (执法办案): workflow, statutory gates and clocks."""
