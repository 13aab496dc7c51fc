"""Project notebooks: one module per project, each with its params model, calculations,
checks and charts, registered by a line in ``xteval.registry``."""
