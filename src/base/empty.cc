// Placeholder source for a module folder that has no code yet.
