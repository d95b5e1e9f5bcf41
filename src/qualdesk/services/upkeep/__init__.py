"""Looking after the database: doctor, backup, copying a desk between engines."""
