"""Requests for information from agencies, shared by case review (agency reports) and child
death review (reporting forms): one per agency, a due date, chased, submitted or waived."""
