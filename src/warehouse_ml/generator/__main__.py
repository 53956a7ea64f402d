"""``python -m warehouse_ml.generator``: write a sample (see :mod:`warehouse_ml.generator.cli`)."""

from warehouse_ml.generator.cli import main

raise SystemExit(main())
