"""Review records, pull/merge request comments and drift issues, for GitHub and GitLab.

    python3 -m tools.review record  --stack S --kind {offline,cloud} --exit-code N --output FILE --dir review/
    python3 -m tools.review comment --forge {github,gitlab} --dir review/ [--pr N --head-sha SHA]
    python3 -m tools.review drift   --forge {github,gitlab} --stack S --exit-code N --output FILE

Standard library only: the comment and drift jobs run it with the runner's `python3`, from the default branch,
never with anything a pull request brought. Everything read from a record or a preview's output is untrusted
text: bounded, stripped of control characters, and shown only inside code fences it cannot close.
"""
