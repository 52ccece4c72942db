"""The GitHub stand-in: a REST API over real bare git repositories (standin.py) and its route
groups.
"""
