"""`python -m spiders crawl NAME...` (see `spiders.run`)."""

import sys

from spiders.run import main

if __name__ == "__main__":
    sys.exit(main())
