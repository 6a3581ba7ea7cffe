//! "Did you mean ...?": the closest valid name to a misspelt one, by edit distance.

/// The candidate closest to `wrong`, if it is close enough to be a plausible typo.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    ranked(wrong, candidates).into_iter().next()
}

/// Plausible candidates, best first (at most three).
pub fn ranked<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    let mut scored: Vec<(usize, &'a str)> = candidates
        .into_iter()
        .filter_map(|c| {
            let distance = strsim::damerau_levenshtein(&wrong_lower, &c.to_lowercase());
            // A typo changes a few characters; allow about a third of the name.
            let limit = (c.chars().count().max(wrong.chars().count()) / 3).max(1);
            let prefix =
                c.len() >= 3 && (c.starts_with(&wrong_lower) || wrong_lower.starts_with(c));
            (distance <= limit || prefix).then_some((distance, c))
        })
        .collect();
    scored.sort();
    scored.into_iter().map(|(_, c)| c).take(3).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_close_names_only() {
        assert_eq!(
            closest("pakages", ["packages", "apt", "pip"]),
            Some("packages")
        );
        assert_eq!(closest("aptt", ["apt", "pip"]), Some("apt"));
        assert_eq!(closest("zzzzzz", ["apt", "pip"]), None);
    }
}
