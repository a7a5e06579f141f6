"""The administrators' screening lists screen."""
