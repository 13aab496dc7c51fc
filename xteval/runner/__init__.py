"""Running notebooks: one params file (run), many in parallel (batch), and the index of runs."""
