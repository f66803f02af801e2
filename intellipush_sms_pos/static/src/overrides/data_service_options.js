import { patch } from "@web/core/utils/patch";
import { DataServiceOptions } from "@point_of_sale/app/models/data_service_options";
import { hasPendingReceiptSms } from "@intellipush_sms_pos/overrides/pos_store";

patch(DataServiceOptions.prototype, {
    get databaseTable() {
        const tables = super.databaseTable;
        const orderTable = tables["pos.order"];
        const isDone = orderTable.condition;
        // A synced order waiting to send its receipt SMS stays in the
        // browser's database until the server has handled the request.
        return {
            ...tables,
            "pos.order": {
                ...orderTable,
                condition: (record) => isDone(record) && !hasPendingReceiptSms(record),
            },
        };
    },
});
