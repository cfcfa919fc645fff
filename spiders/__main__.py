"""`python -m spiders crawl NAME...` (see `spiders.run`), run as the batch process it is.

Garbage collection: the objects built while importing Scrapy, SQLAlchemy and the models live
as long as the process, so they are frozen out of the collector's sight once the crawl is set
up (`spiders.run.crawl`), and the youngest generation is collected less often: parsed pages
are trees of dicts and lists without cycles, freed by reference counting, which the default
threshold (700) kept re-scanning. The exit skips the interpreter's teardown once the runs are
closed, their events written and the engine disposed: nothing is left to flush.
"""

import gc
import logging
import os
import sys

gc.set_threshold(50_000, 20, 100)

from spiders.run import main  # noqa: E402 - after the threshold, so imports benefit too

if __name__ == "__main__":
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
