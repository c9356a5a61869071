"""Exports: the one pipeline that hands a layer or an analysis result over as a file."""
