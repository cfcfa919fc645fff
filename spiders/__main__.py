"""`python -m spiders crawl NAME...` (see `spiders.run`), run as the batch process it is.

Garbage collection: the objects built while importing Scrapy, SQLAlchemy and the models live
as long as the process, so they are frozen out of the collector's sight once the crawl is set
up (`spiders.run.crawl`), and the youngest generation is collected less often: parsed pages
are trees of dicts and lists without cycles, freed by reference counting, which the default
threshold (700) kept re-scanning. The threshold, shared with `lotwise ingest`
(`scanner.batch_gc`), is above what one batch of 500 releases keeps alive while it is stored
(at 50,000 the collector ran 17 times in a 10,000-release crawl, each time traversing a live
batch: 0.5 s of CPU; at 200,000, never), and the store pipeline collects the youngest
generation itself after each batch is freed, when little is left to traverse
(`spiders.pipelines.StorePipeline.flush`). The exit skips the interpreter's
teardown once the runs are closed, their events written and the engine disposed: nothing is
left to flush.
"""

import logging
import os
import sys

from scanner.batch_gc import set_batch_threshold

set_batch_threshold()

from spiders.run import main  # noqa: E402 - after the threshold, so imports benefit too

if __name__ == "__main__":
    code = main()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
