"""Matching in the core: turns stored tenders, their lots and the splitter's packages into the
plain `matchers.types.Opportunity` records the pure matchers score."""
