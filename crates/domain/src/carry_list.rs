//! DISPATCH-6: what a technician should carry to a call. Derived from the parts that past
//! repairs of the same product and fault class used (most used first), then the other parts
//! that fit the product; each shows whether the technician's van holds it, and the ones it
//! lacks are to be requisitioned before leaving (design decision: the seeds only say to carry
//! the tools and likely parts).

/// What is known about one part for one order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    pub part_id: i64,
    /// The part is catalogued as fitting the order's product.
    pub fits: bool,
    /// How many past orders of the same product and fault class were issued this part.
    pub past_uses: u32,
    /// On hand in the technician's van.
    pub in_van: i64,
}

/// One line of the carry list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CarryItem {
    pub part_id: i64,
    pub past_uses: u32,
    pub in_van: i64,
    /// Not in the van: requisition it (transfer from the branch) before leaving.
    pub requisition: bool,
}

/// The carry list: parts past repairs used, most used first, then fitting parts never used
/// yet, at most `limit` lines; ties by part id so the list is stable. One candidate per part.
pub fn carry_list(candidates: &[Candidate], limit: usize) -> Vec<CarryItem> {
    let mut likely: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.past_uses > 0 || c.fits)
        .collect();
    likely.sort_by_key(|c| (std::cmp::Reverse(c.past_uses), c.part_id));
    likely
        .into_iter()
        .take(limit)
        .map(|c| CarryItem {
            part_id: c.part_id,
            past_uses: c.past_uses,
            in_van: c.in_van,
            requisition: c.in_van <= 0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn candidate(part_id: i64, fits: bool, past_uses: u32, in_van: i64) -> Candidate {
        Candidate {
            part_id,
            fits,
            past_uses,
            in_van,
        }
    }

    #[test]
    fn past_repairs_first_then_fitting_parts_and_missing_ones_to_requisition() {
        let list = carry_list(
            &[
                candidate(1, true, 0, 3),
                candidate(2, true, 5, 0),
                candidate(3, false, 2, 1),
                candidate(4, false, 0, 9),
                candidate(5, true, 5, 2),
            ],
            10,
        );
        let order: Vec<(i64, bool)> = list.iter().map(|i| (i.part_id, i.requisition)).collect();
        // 2 and 5 used 5 times (by id), 3 used twice (even if not catalogued as fitting),
        // 1 fits but was never used; 4 neither fits nor was used.
        assert_eq!(order, vec![(2, true), (5, false), (3, false), (1, false)]);
    }

    #[test]
    fn the_list_is_cut_at_the_limit_and_empty_without_candidates() {
        let many: Vec<Candidate> = (1..=20).map(|id| candidate(id, true, 0, 0)).collect();
        assert_eq!(carry_list(&many, 8).len(), 8);
        assert!(carry_list(&[], 8).is_empty());
    }
}
