"""The desk's figures: a rep's day, the team view and `qualdesk stats`, follow-up."""
