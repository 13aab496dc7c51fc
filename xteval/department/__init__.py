"""The department as a whole (部门整体): its params model, checks, tables, charts and history."""
