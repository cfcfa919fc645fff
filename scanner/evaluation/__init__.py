"""Measuring match quality: graded labels, ranking metrics and the demo corpus they refer to."""
