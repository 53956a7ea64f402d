"""warehouse_ml."""
