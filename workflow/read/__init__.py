"""Reading an untrusted department file into a Submission: bounded zip/XML access, locating
fields, turning cells into values. Imports: domain, formats."""
