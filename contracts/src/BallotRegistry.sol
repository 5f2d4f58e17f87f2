// SPDX-License-Identifier: UNLICENSED
pragma solidity 0.8.37;

/**
 * @title BallotRegistry
 * @notice Records the result of an owners' ballot, item by item, re-deciding it on-chain from
 * its totals under Civil Code Art. 278 ¶2.
 *
 * Design notes:
 * - The recorder sends only totals: the census total, and per item the participating area
 *   and headcount with the agreeing ones (a motion) or each candidate's approvals (an
 *   election). The contract itself decides: quorum 2/3 inclusive (三分之二以上) by area AND
 *   headcount; approval fixed by the matter number, never by the caller: matters 6-8 need
 *   3/4 inclusive (四分之三以上), every other matter and every candidate more than 1/2
 *   (过半数, strict). A share whose whole is zero never passes.
 * - Every test is a cross-multiplication of integers (`3·part >= 2·whole`), no division.
 *   Inputs are uint128 (areas in 0.01 m², headcounts), so a product with a factor <= 4
 *   stays far below 2^256.
 * - Elections: eligible candidates (quorum met, > 1/2 of the item's participating area and
 *   headcount) are ranked by (area, headcount) or (headcount, area), equal keys in the
 *   notice's order; a group sharing the last seat's key that cannot be seated whole is left
 *   out and the tie reported as unresolved. "passed" for an election means every seat filled.
 * - A ballot is keyed by its log id (SHA-256 of the ballot box's origin, as LogAnchor keys
 *   logs) and binds the census root. It is recorded once and never overwritten; only the
 *   recorder set at deployment may record. Storage holds the verdicts; the totals are in the
 *   `ItemDecided` events.
 */
contract BallotRegistry {
    uint8 private constant KIND_MOTION = 0;
    uint8 private constant KIND_ELECTION = 1;
    uint8 private constant RANKING_AREA = 0;
    uint8 private constant RANKING_HEADCOUNT = 1;
    uint256 private constant MAX_ITEMS = 20;
    uint256 private constant MAX_SEATS = 50;
    uint256 private constant MAX_CANDIDATES = 100;

    /// An area in 0.01 m² and a headcount (人数).
    struct Tally {
        uint128 area;
        uint128 headcount;
    }

    /// One candidate's approvals; `id` is the candidate id as ASCII, left-aligned.
    struct Approval {
        bytes8 id;
        Tally approvals;
    }

    /// What the recorder sends for one item.
    struct ItemTotals {
        bytes8 id;
        uint8 kind;
        uint8 matter;
        uint8 seats;
        Tally participating;
        Tally agree;
        Approval[] candidates;
    }

    /// What the contract decided for one item; one storage slot plus the masks and the elected.
    struct ItemResult {
        bytes8 id;
        uint8 kind;
        uint8 matter;
        uint8 seats;
        uint8 candidateCount;
        uint8 approvalNumerator;
        uint8 approvalDenominator;
        bool approvalInclusive;
        bool quorumByArea;
        bool quorumByHeadcount;
        bool approvedByArea;
        bool approvedByHeadcount;
        bool unresolvedTie;
        bool passed;
        /// bit i: candidate i has more than half of the participating area (elections)
        uint128 majorityByArea;
        /// bit i: candidate i has more than half of the participating headcount (elections)
        uint128 majorityByHeadcount;
        /// the seated candidates, best first (elections)
        bytes8[] elected;
    }

    struct Ballot {
        bytes32 censusRoot;
        Tally total;
        uint64 recordedAtBlock;
        uint8 ranking;
        ItemResult[] items;
    }

    address private _recorder;
    mapping(bytes32 logId => Ballot) private _ballots;

    /// @notice The result of ballot `logId` was recorded, with `itemCount` items.
    event BallotRecorded(bytes32 indexed logId, bytes32 censusRoot, uint256 itemCount);

    /// @notice Item `itemId` of ballot `logId` was decided from these totals.
    event ItemDecided(
        bytes32 indexed logId,
        bytes8 itemId,
        uint8 kind,
        uint8 matter,
        Tally participating,
        Tally agree,
        Approval[] candidates,
        bool passed,
        bytes8[] elected
    );

    /// @dev The caller is not the recorder.
    error BallotRegistryUnauthorizedRecorder(address caller);

    /// @dev The zero address cannot be the recorder.
    error BallotRegistryInvalidRecorder();

    /// @dev This ballot's result is already recorded; a result is never overwritten.
    error BallotRegistryAlreadyRecorded(bytes32 logId);

    /// @dev The log id or the census root is zero.
    error BallotRegistryMissingKey();

    /// @dev The census total is empty, or an area is zero where its headcount is not.
    error BallotRegistryInvalidTotal();

    /// @dev The ranking is neither 0 (area first) nor 1 (headcount first).
    error BallotRegistryInvalidRanking(uint8 ranking);

    /// @dev A ballot has 1 to 20 items.
    error BallotRegistryItemCount(uint256 count);

    /// @dev Item `index` has a zero id or the id of an earlier item.
    error BallotRegistryInvalidItemId(uint256 index);

    /// @dev Item `index` has a kind, matter, seat or candidate count that does not fit.
    error BallotRegistryInvalidItem(uint256 index);

    /// @dev Item `index` counts more than can be: a part above its whole, or an area of zero
    /// with heads (or heads of zero with an area).
    error BallotRegistryInconsistentTotals(uint256 index);

    constructor(address recorder_) {
        if (recorder_ == address(0)) revert BallotRegistryInvalidRecorder();
        _recorder = recorder_;
    }

    /**
     * @notice Decides every item of ballot `logId` from its totals and records the verdicts.
     * @param logId SHA-256 of the ballot box's log origin.
     * @param censusRoot the root of the census frozen when the ballot opened.
     * @param total the census total: all exclusive area and all heads.
     * @param ranking 0: candidates by area then headcount; 1: by headcount then area.
     * @param items the totals of each item, in agenda order.
     */
    function record(
        bytes32 logId,
        bytes32 censusRoot,
        Tally calldata total,
        uint8 ranking,
        ItemTotals[] calldata items
    ) external {
        if (msg.sender != _recorder) revert BallotRegistryUnauthorizedRecorder(msg.sender);
        if (logId == bytes32(0) || censusRoot == bytes32(0)) revert BallotRegistryMissingKey();
        Ballot storage ballot = _ballots[logId];
        if (ballot.recordedAtBlock != 0) revert BallotRegistryAlreadyRecorded(logId);
        ItemResult[] memory results = _decideAll(total, ranking, items);

        ballot.censusRoot = censusRoot;
        ballot.total = total;
        ballot.recordedAtBlock = uint64(block.number);
        ballot.ranking = ranking;
        for (uint256 i = 0; i < results.length; ++i) {
            ballot.items.push(results[i]);
        }
        emit BallotRecorded(logId, censusRoot, results.length);
        for (uint256 i = 0; i < results.length; ++i) {
            ItemTotals calldata t = items[i];
            emit ItemDecided(
                logId,
                t.id,
                t.kind,
                t.matter,
                t.participating,
                t.agree,
                t.candidates,
                results[i].passed,
                results[i].elected
            );
        }
    }

    /**
     * @notice The same decision as `record`, without recording it: lets anyone ask the
     * contract how it decides some totals.
     * @param total the census total.
     * @param ranking 0: area then headcount; 1: headcount then area.
     * @param items the totals of each item.
     * @return results the verdict per item.
     */
    function decide(Tally calldata total, uint8 ranking, ItemTotals[] calldata items)
        external
        pure
        returns (ItemResult[] memory results)
    {
        return _decideAll(total, ranking, items);
    }

    /**
     * @notice The recorded result of ballot `logId`; `recordedAtBlock` is 0 if there is none.
     * @param logId the ballot box's log id.
     * @return censusRoot the census root recorded with the result.
     * @return total the census total.
     * @return ranking the ranking rule of its elections.
     * @return recordedAtBlock the block of the recording.
     * @return items the verdict per item, in agenda order.
     */
    function result(bytes32 logId)
        external
        view
        returns (
            bytes32 censusRoot,
            Tally memory total,
            uint8 ranking,
            uint64 recordedAtBlock,
            ItemResult[] memory items
        )
    {
        Ballot storage ballot = _ballots[logId];
        return (ballot.censusRoot, ballot.total, ballot.ranking, ballot.recordedAtBlock, ballot.items);
    }

    /**
     * @notice The only account that may record results.
     * @return the recorder's address.
     */
    function recorder() external view returns (address) {
        return _recorder;
    }

    function _decideAll(Tally calldata total, uint8 ranking, ItemTotals[] calldata items)
        private
        pure
        returns (ItemResult[] memory results)
    {
        if (total.headcount == 0 || !_paired(total)) revert BallotRegistryInvalidTotal();
        if (ranking > RANKING_HEADCOUNT) revert BallotRegistryInvalidRanking(ranking);
        if (items.length == 0 || items.length > MAX_ITEMS) revert BallotRegistryItemCount(items.length);
        results = new ItemResult[](items.length);
        for (uint256 i = 0; i < items.length; ++i) {
            bytes8 id = items[i].id;
            if (id == bytes8(0)) revert BallotRegistryInvalidItemId(i);
            for (uint256 j = 0; j < i; ++j) {
                if (items[j].id == id) revert BallotRegistryInvalidItemId(i);
            }
            results[i] = _decide(i, total, ranking, items[i]);
        }
    }

    function _decide(uint256 index, Tally calldata total, uint8 ranking, ItemTotals calldata item)
        private
        pure
        returns (ItemResult memory r)
    {
        Tally calldata p = item.participating;
        if (p.area > total.area || p.headcount > total.headcount || !_paired(p)) {
            revert BallotRegistryInconsistentTotals(index);
        }
        r.id = item.id;
        r.kind = item.kind;
        r.matter = item.matter;
        r.seats = item.seats;
        r.quorumByArea = _atLeast(p.area, total.area, 2, 3);
        r.quorumByHeadcount = _atLeast(p.headcount, total.headcount, 2, 3);
        bool quorum = r.quorumByArea && r.quorumByHeadcount;
        if (item.kind == KIND_MOTION) {
            if (item.matter < 1 || item.matter > 9 || item.seats != 0 || item.candidates.length != 0) {
                revert BallotRegistryInvalidItem(index);
            }
            Tally calldata a = item.agree;
            if (a.area > p.area || a.headcount > p.headcount || !_paired(a)) {
                revert BallotRegistryInconsistentTotals(index);
            }
            if (item.matter >= 6 && item.matter <= 8) {
                (r.approvalNumerator, r.approvalDenominator, r.approvalInclusive) = (3, 4, true);
                r.approvedByArea = _atLeast(a.area, p.area, 3, 4);
                r.approvedByHeadcount = _atLeast(a.headcount, p.headcount, 3, 4);
            } else {
                (r.approvalNumerator, r.approvalDenominator) = (1, 2);
                r.approvedByArea = _moreThanHalf(a.area, p.area);
                r.approvedByHeadcount = _moreThanHalf(a.headcount, p.headcount);
            }
            r.passed = quorum && r.approvedByArea && r.approvedByHeadcount;
        } else if (item.kind == KIND_ELECTION) {
            uint256 n = item.candidates.length;
            if (item.matter != 3 || item.seats == 0 || item.seats > MAX_SEATS || n == 0 || n > MAX_CANDIDATES || item.seats > n) {
                revert BallotRegistryInvalidItem(index);
            }
            if (item.agree.area != 0 || item.agree.headcount != 0) revert BallotRegistryInconsistentTotals(index);
            (r.approvalNumerator, r.approvalDenominator) = (1, 2);
            r.candidateCount = uint8(n);
            _elect(index, r, item, ranking, quorum);
            r.passed = quorum && r.elected.length == item.seats;
        } else {
            revert BallotRegistryInvalidItem(index);
        }
    }

    /// @dev Fills the majority masks, `elected` and `unresolvedTie` of election `r`.
    function _elect(uint256 index, ItemResult memory r, ItemTotals calldata item, uint8 ranking, bool quorum)
        private
        pure
    {
        Tally calldata p = item.participating;
        uint256 n = item.candidates.length;
        // eligible candidates' indices, kept sorted best first by insertion (stable, so equal
        // keys stay in the notice's order)
        uint256[] memory ranked = new uint256[](n);
        uint256 count;
        for (uint256 i = 0; i < n; ++i) {
            Approval calldata c = item.candidates[i];
            if (c.id == bytes8(0)) revert BallotRegistryInvalidItem(index);
            for (uint256 j = 0; j < i; ++j) {
                if (item.candidates[j].id == c.id) revert BallotRegistryInvalidItem(index);
            }
            Tally calldata a = c.approvals;
            if (a.area > p.area || a.headcount > p.headcount || !_paired(a)) {
                revert BallotRegistryInconsistentTotals(index);
            }
            bool byArea = _moreThanHalf(a.area, p.area);
            bool byHeads = _moreThanHalf(a.headcount, p.headcount);
            if (byArea) r.majorityByArea |= uint128(uint256(1) << i);
            if (byHeads) r.majorityByHeadcount |= uint128(uint256(1) << i);
            if (!(quorum && byArea && byHeads)) continue;
            uint256 k = count++;
            while (k > 0 && _better(item.candidates[i].approvals, item.candidates[ranked[k - 1]].approvals, ranking)) {
                ranked[k] = ranked[k - 1];
                --k;
            }
            ranked[k] = i;
        }
        uint256 seated = count;
        if (count > item.seats) {
            seated = item.seats;
            Tally calldata last = item.candidates[ranked[seated - 1]].approvals;
            if (!_better(last, item.candidates[ranked[seated]].approvals, ranking)) {
                r.unresolvedTie = true;
                // leave out the whole group that shares the last seat's key
                while (seated > 0 && !_better(item.candidates[ranked[seated - 1]].approvals, last, ranking)) {
                    --seated;
                }
            }
        }
        r.elected = new bytes8[](seated);
        for (uint256 i = 0; i < seated; ++i) {
            r.elected[i] = item.candidates[ranked[i]].id;
        }
    }

    /// @dev Whether `a` ranks strictly above `b` under `ranking`.
    function _better(Tally calldata a, Tally calldata b, uint8 ranking) private pure returns (bool) {
        (uint256 a1, uint256 a2, uint256 b1, uint256 b2) = ranking == RANKING_AREA
            ? (uint256(a.area), uint256(a.headcount), uint256(b.area), uint256(b.headcount))
            : (uint256(a.headcount), uint256(a.area), uint256(b.headcount), uint256(b.area));
        return a1 > b1 || (a1 == b1 && a2 > b2);
    }

    /// @dev part/whole >= num/den (以上, Civil Code Art. 1259 includes the bound); never for
    /// an empty whole.
    function _atLeast(uint128 part, uint128 whole, uint256 num, uint256 den) private pure returns (bool) {
        return whole != 0 && uint256(part) * den >= uint256(whole) * num;
    }

    /// @dev part/whole > 1/2 (过半数); never for an empty whole.
    function _moreThanHalf(uint128 part, uint128 whole) private pure returns (bool) {
        return whole != 0 && uint256(part) * 2 > uint256(whole);
    }

    /// @dev Every counted person has a positive area, so an area is zero exactly when its
    /// headcount is.
    function _paired(Tally calldata t) private pure returns (bool) {
        return (t.area == 0) == (t.headcount == 0);
    }
}
