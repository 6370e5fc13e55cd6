"""The ground floor: helpers every app may use and that use none of ours.

File responses and safe return addresses (`http`), spreadsheet writers (`spreadsheets`) and the
StreamField blocks shared by every page type (`blocks`). Nothing here imports an app of the
project, so accounts, courses, assessments and the rest can all stand on it.
"""
