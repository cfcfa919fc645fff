"""Ways to divide a requirement, one module each, combined by `combine.propose`.

This package initialiser stays empty so that `facts` and `deliverables` can be imported
without loading the strategies (which build `scanner.splitter.assessment` objects).
"""
