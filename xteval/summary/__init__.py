"""The year summary across units (年度汇总): its params model, the values it reads from the units' runs, its tables and charts."""
