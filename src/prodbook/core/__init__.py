"""Pure rules: no files, no Excel, no clock. The jobs call them; tests call them directly."""
