from spar_bench.cli import main

raise SystemExit(main())
