"""`python -m kiln.provenance scan FILE...` and `... check FILE_OR_DIR --server URL`."""

from kiln.provenance.cli import main

raise SystemExit(main())
