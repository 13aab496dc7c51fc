"""Scoring: methods, versioned frameworks as data, the scoring engine, the Excel 自评表, PEFA and 双监控."""
