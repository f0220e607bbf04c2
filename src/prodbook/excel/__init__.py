"""The Excel side: ribbon actions, spreadsheet functions, the add-in build and its VBA project."""
